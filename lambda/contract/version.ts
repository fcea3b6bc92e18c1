/** Written into every manifest and the User-Agent; a test keeps it equal to package.json. */
export const ARCHIVER = { name: 'isc-import-archiver', version: '0.1.0' } as const;
