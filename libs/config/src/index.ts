export const projectName = 'config';
