export const projectName = 'read-model';
