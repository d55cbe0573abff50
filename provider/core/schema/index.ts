export * from "./spec";
export * from "./unknown";
export * from "./validate";
export * from "./diff";
export * from "./mapping";
