// `npm ci --ignore-scripts` leaves no Node 24 in node_modules/.bin, and npm then silently runs
// scripts on the system Node 20; refuse early instead of failing later in confusing ways.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node ${process.versions.node} is running this script; the project needs Node 24 (the Lambda runtime). ` +
      'Run `npm ci` without --ignore-scripts so the pinned `node` package installs.',
  );
  process.exit(1);
}
