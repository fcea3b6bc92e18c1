import { App } from 'aws-cdk-lib';
import { defineArchiverApp } from './archiver-app.ts';

// cdk.json runs `scripts/build.ts` first, so dist/lambda is the bundle the tests ran.
defineArchiverApp(new App());
