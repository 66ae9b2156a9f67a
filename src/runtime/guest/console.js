/** @module Guest runtime: `console`, writing Lambda-format lines into a log buffer bounded in bytes per invocation. */

// Room kept for the one line that says output was cut, so the buffer never passes its bound.
const $TRUNCATION_RESERVE = 256;

/**
 * @typedef {object} GuestLogBuffer
 * @property {(id: string) => void} begin
 * @property {(level: string, message: string) => void} write
 * @property {() => string} drain
 */

/**
 * The log buffer lives in guest memory and is drained into every report to the host, so the host
 * only ever receives what one invocation may write. Lines past the bound are dropped, not queued.
 * `mirror` (a small buffer the host shares, or null) also gets the first lines of each host call,
 * as UTF-8 after a 4-byte length that the host sets back to 0 before every call: the host reads
 * them when a call ended without a report (it stopped a spinning guest, or isolated-vm answered
 * an unhandled rejection instead), so those lines are not lost with the report.
 * @param {number} maxBytes
 * @param {SharedArrayBuffer | null} mirror
 * @returns {GuestLogBuffer}
 */
function $createLogBuffer(maxBytes, mirror) {
  const mirrored = mirror === null ? null : new Uint8Array(mirror);
  const mirroredLength = mirror === null ? null : new Int32Array(mirror, 0, 1);
  let text = '';
  let bytes = 0;
  let truncated = false;
  let requestId = 'undefined'; // Lambda prints "undefined" for lines written during init
  const budget = maxBytes > 2 * $TRUNCATION_RESERVE ? maxBytes - $TRUNCATION_RESERVE : maxBytes >> 1;

  return {
    /** Starts an invocation's bound; lines still buffered from between invocations count against it. */
    begin(id) {
      requestId = id;
      bytes = $utf8Length(text);
      truncated = false;
    },
    write(level, message) {
      if (truncated) return;
      const line = `${$isoNow()}\t${requestId}\t${level}\t${$oneLine($String(message))}\n`;
      const room = budget - bytes;
      // A line longer in UTF-16 units than the room is longer in bytes too: no need to count it.
      const size = line.length > room ? room + 1 : $utf8Length(line);
      if (size > room) {
        truncated = true;
        const notice = `${$isoNow()}\t${requestId}\tWARN\t[stratus] log output truncated: this invocation wrote more than ${maxBytes} bytes of logs\n`;
        if ($utf8Length(notice) <= maxBytes - bytes) text += notice;
        return;
      }
      text += line;
      bytes += size;
      if (mirrored !== null && mirroredLength !== null) {
        const at = 4 + mirroredLength[0];
        if (at + size <= mirrored.length) mirroredLength[0] = $utf8Into(line, mirrored, at) - 4;
      }
    },
    drain() {
      const out = text;
      text = '';
      return out;
    },
  };
}

/**
 * As Lambda's runtime writes a message: newlines become carriage returns, so a multi-line message
 * stays one log event and no message can pass for lines the platform wrote.
 * @param {string} text
 */
function $oneLine(text) {
  let at = $apply($stringIndexOf, text, ['\n']);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += $apply($stringSlice, text, [from, at]) + '\r';
    from = at + 1;
    at = $apply($stringIndexOf, text, ['\n', from]);
  }
  return out + $apply($stringSlice, text, [from]);
}

/** @param {GuestLogBuffer} logs */
function $createConsole(logs) {
  const emit = (/** @type {string} */ level) =>
    function (/** @type {unknown[]} */ ...args) {
      logs.write(level, $format(args));
    };
  const counts = new $Map();
  const timers = new $Map();
  const console = {
    log: emit('INFO'),
    info: emit('INFO'),
    warn: emit('WARN'),
    error: emit('ERROR'),
    debug: emit('DEBUG'),
    trace: emit('TRACE'),
    dir(/** @type {unknown} */ value) {
      logs.write('INFO', $inspect(value));
    },
    assert(/** @type {unknown} */ condition, /** @type {unknown[]} */ ...args) {
      if (!condition) logs.write('ERROR', args.length ? `Assertion failed: ${$format(args)}` : 'Assertion failed');
    },
    count(label = 'default') {
      const n = ($apply($mapGet, counts, [label]) || 0) + 1;
      $apply($mapSet, counts, [label, n]);
      logs.write('INFO', `${label}: ${n}`);
    },
    countReset(label = 'default') {
      $apply($mapDelete, counts, [label]);
    },
    time(label = 'default') {
      $apply($mapSet, timers, [label, $now()]);
    },
    timeLog(label = 'default', /** @type {unknown[]} */ ...args) {
      if (!$apply($mapHas, timers, [label])) return;
      const extra = args.length ? ` ${$format(args)}` : '';
      logs.write('INFO', `${label}: ${$now() - $apply($mapGet, timers, [label])}ms${extra}`);
    },
    timeEnd(label = 'default') {
      if (!$apply($mapHas, timers, [label])) return;
      logs.write('INFO', `${label}: ${$now() - $apply($mapGet, timers, [label])}ms`);
      $apply($mapDelete, timers, [label]);
    },
  };
  return console;
}
