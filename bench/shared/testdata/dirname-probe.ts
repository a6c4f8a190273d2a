// Bundled by bundled-rerun.unit.spec.ts: each module reports the folder and file it names itself.
import { where as nestedWhere } from './nested/where';

export const where = { dir: __dirname, file: __filename, nested: nestedWhere };
