/**
 * @module Test support: a stand-in PostgreSQL that refuses every login, for the wrong-password case
 * (the test server trusts every user, so it never refuses one). It speaks just enough of the protocol:
 * it asks for a cleartext password, reads it, and answers with the FATAL 28P01 a real server sends.
 */
import net from 'node:net';

export interface PasswordRefuser {
  port: number;
  /** Passwords clients sent, so a test can check the driver really got that far. */
  passwordsReceived(): string[];
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function authFailed(user: string): Buffer {
  const fields = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '28P01'],
    ['M', `password authentication failed for user "${user}"`],
  ];
  return message('E', Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8')), Buffer.from([0])]));
}

export async function startPasswordRefuser(): Promise<PasswordRefuser> {
  const passwords: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    let user = '';
    let started = false;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      // The startup message has no type byte; everything after it does.
      while (true) {
        const offset = started ? 1 : 0;
        if (buffered.length < offset + 4) return;
        const length = buffered.readInt32BE(offset);
        if (buffered.length < offset + length) return;
        const body = buffered.subarray(offset + 4, offset + length);
        buffered = buffered.subarray(offset + length);
        if (!started) {
          started = true;
          const params = body.subarray(4).toString('utf8').split('\0');
          user = params[params.indexOf('user') + 1] ?? '';
          // AuthenticationCleartextPassword: 'R', length 8, code 3.
          socket.write(message('R', Buffer.from([0, 0, 0, 3])));
        } else {
          passwords.push(body.toString('utf8').replace(/\0$/, ''));
          socket.end(authFailed(user));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    passwordsReceived: () => [...passwords],
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
