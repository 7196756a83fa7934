// path: src/core/fixture.ts
// expect: no-restricted-imports: src/core may import only nothing else of the project
import type { ValidateReport } from "../report/validate-report.js";
export type Used = ValidateReport;
