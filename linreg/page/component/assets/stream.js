// A room's stream (served by linreg/page/stream.py; its messages: linreg/dashboard/room_stream.py).
// An EventSource resumes by itself after a drop, sending back the last message's id
// (Last-Event-ID); when the server refused it outright (the store was unreachable, say) it
// is opened again here after RETRY_MS, asking for what came after the last version held.
// Each message goes to handlers.any, then to the handler of its kind: a new kind needs a
// handler, nothing else.

const APP_ROOT = new URL("../../../", import.meta.url); // /_stcore/bidi-components/linreg.live/
const RETRY_MS = 2000;

export class RoomStream {
  // url: relative to the app's root; handlers: kind → function(message); onState("open" |
  // "reconnecting" | "closed"); after: the last version the views hold (null: none).
  constructor(url, handlers, onState, after = null) {
    this.url = url;
    this.handlers = handlers;
    this.onState = onState;
    this.version = after; // the last version received
    this.stopped = false;
    this.timer = 0;
    this.open();
  }

  open() {
    const address = new URL(this.url, APP_ROOT);
    if (this.version !== null) address.searchParams.set("after", String(this.version));
    const source = new EventSource(address);
    this.source = source;
    source.onopen = () => this.onState("open");
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        this.onState("reconnecting");
        return;
      }
      this.onState(this.stopped ? "closed" : "reconnecting");
      if (!this.stopped && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = 0;
          if (!this.stopped) this.open();
        }, RETRY_MS);
      }
    };
    source.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.version !== null && message.version !== undefined) this.version = message.version;
      if (this.handlers.any) this.handlers.any(message);
      const handle = this.handlers[message.kind];
      if (handle) handle(message);
    };
  }

  // Start again from the room's latest keyframe.
  restart() {
    this.source.close();
    this.version = null;
    this.open();
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source.close();
  }
}
