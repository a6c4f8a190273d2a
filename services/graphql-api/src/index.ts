export const projectName = 'graphql-api';
