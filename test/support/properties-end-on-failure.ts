import fc from 'fast-check';

// Loaded only by vitest.mutation.config.ts (see there): stop a property at its first failure.
fc.configureGlobal({ endOnFailure: true });
