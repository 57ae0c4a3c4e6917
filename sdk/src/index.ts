// The skill marketplace's TypeScript SDK: the one module that knows the program's layout.
// Services and the web app import from here; none derive PDAs or decode bytes themselves.
export * from "./program.js";
export * from "./constants.js";
export * from "./pda.js";
export * from "./accounts.js";
export * from "./events.js";
export * from "./errors.js";
export * from "./instructions.js";
export * from "./validation.js";
