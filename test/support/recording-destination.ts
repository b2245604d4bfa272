import { DestinationStream } from 'pino';

/** A log destination that keeps every line the service writes, for tests that read the logs. */
export function recordingDestination(): { destination: DestinationStream; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    destination: {
      write: (line: string) => {
        lines.push(line);
      },
    },
  };
}
