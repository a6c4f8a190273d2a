export const projectName = 'authn';
