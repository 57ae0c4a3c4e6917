// What the stack package offers tests and scripts: the supervisor, the embedded services and the
// Docker engine choice that `npm start` is built from.
export { Supervisor, watchAncestors, DEFAULT_RESTART, type ServiceSpec, type Restart } from "./supervisor.js";
export { freePort, listening, postgresService, redisService, type EmbeddedService } from "./embedded.js";
export { chooseEngine, engineAnswers, engineRuntimes, runDirFor, RUNSC_RUNTIME, SYSTEM_DOCKER_HOST } from "./docker.js";
