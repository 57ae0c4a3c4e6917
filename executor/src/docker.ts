// The Docker engine client for a DOCKER_HOST-style address (unix://path, tcp://host:port, http(s)://…).
import Docker from "dockerode";

export function dockerFor(host: string): Docker {
  const url = new URL(host);
  if (url.protocol === "unix:") return new Docker({ socketPath: url.pathname });
  const protocol = url.protocol === "https:" ? "https" : "http";
  return new Docker({ protocol, host: url.hostname, port: Number(url.port || (protocol === "https" ? 2376 : 2375)) });
}
