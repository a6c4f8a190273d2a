import type { Command } from '../cli-io';
import { bootstrapTokenCommand } from './bootstrap-token.command';
import { caCommand } from './ca.command';
import { configCommand } from './config.command';
import { fingerprintCommand } from './fingerprint.command';
import { replayCommand } from './replay.command';
import { demoCommand } from './demo.command';
import { exportCommand } from './export.command';
import { hashPasswordCommand } from './hash-password.command';
import { saTokenCommand } from './sa-token.command';
import { startCommand } from './start.command';
import { verifyCommand } from './verify.command';

export const COMMANDS: readonly Command[] = [startCommand, caCommand, bootstrapTokenCommand, saTokenCommand, hashPasswordCommand, fingerprintCommand, replayCommand, configCommand, demoCommand, exportCommand, verifyCommand];
