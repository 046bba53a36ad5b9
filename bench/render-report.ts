// Re-renders docs/benchmarks.md and docs/benchmarks.svg from bench/results.json and bench/soak-results.json.
import { writeReport } from './lib/report.ts';

if (!writeReport()) {
  console.error('No bench/results.json yet: run `npm run bench` first.');
  process.exit(1);
}
console.log('wrote docs/benchmarks.md and docs/benchmarks.svg');
