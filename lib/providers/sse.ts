// Server-sent events, decoded as the bytes arrive: the `data` of each event (its data lines joined
// by \n), in order. Synchronous, so a caller relaying a stream handles each network chunk's events
// at once (the gateway) or yields them one by one (lib/providers/openai-api.ts).

export class SseDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private data: string[] = [];

  /** @param maxLineChars a line longer than this throws (a stream that never ends a line). */
  constructor(private readonly maxLineChars: number) {}

  /** The data of the events this chunk completes. */
  push(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: string[] = [];
    let start = 0;
    // Where the next \r is (-1: none in the buffer): most streams end lines with \n alone, and
    // looking for a \r again after every line would read the rest of the buffer each time.
    let cr = this.buffer.indexOf("\r");
    for (;;) {
      if (cr >= 0 && cr < start) cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      const newline = cr < 0 ? lf : lf < 0 ? cr : Math.min(lf, cr);
      if (newline < 0) break;
      // A \r that ends the buffer may be the first half of a \r\n still on its way.
      if (this.buffer[newline] === "\r" && newline === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, newline);
      start = newline + (this.buffer.startsWith("\r\n", newline) ? 2 : 1);
      if (line === "") {
        if (this.data.length) events.push(this.data.join("\n"));
        this.data = [];
      } else if (line.startsWith("data:")) {
        this.data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
    }
    this.buffer = start === 0 ? this.buffer : this.buffer.slice(start);
    if (this.buffer.length > this.maxLineChars) throw new RangeError(`a server-sent event line is longer than ${this.maxLineChars} characters`);
    return events;
  }

  /** The data of an event the stream ended in without its blank line. */
  end(): string[] {
    const line = this.buffer;
    this.buffer = "";
    if (line.startsWith("data:")) this.data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    const events = this.data.length ? [this.data.join("\n")] : [];
    this.data = [];
    return events;
  }
}
