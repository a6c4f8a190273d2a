export const where = { dir: __dirname, file: __filename };
