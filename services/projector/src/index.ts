export const projectName = 'projector';
