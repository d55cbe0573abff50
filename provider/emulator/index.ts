export { startEmulator } from "./server";
export type { Emulator, EmulatorOptions, CallRecord } from "./server";
export type { FaultKind, FaultRule, RandomFaults } from "./faults";
export { PortalState } from "./state";
