import { clearResults, formatMatrix, readResults } from './matrix';

// Global setup of `npm run faults`: a fresh results file before the fault files run, and the matrix
// printed once after all of them (they run in workers of their own and append to that file).
export function setup(): () => void {
  clearResults();
  return () => {
    const results = readResults();
    console.log(`\nFault matrix (fault × driver → what the box ended in, time from the fault to settled)\n${formatMatrix(results)}\n`);
  };
}
