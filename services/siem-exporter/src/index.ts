export const projectName = 'siem-exporter';
