export const projectName = 'policy';
