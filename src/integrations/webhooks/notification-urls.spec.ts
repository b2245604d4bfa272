import { isInternalAddress, NotificationUrlPolicy } from './notification-urls';

describe('notification URL policy', () => {
  it('knows internal addresses, IPv4 and IPv6, mapped ones too', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect({ address, internal: isInternalAddress(address) }).toEqual({
        address,
        internal: true,
      });
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '20.190.128.1', '2606:4700::1111']) {
      expect({ address, internal: isInternalAddress(address) }).toEqual({
        address,
        internal: false,
      });
    }
  });

  it('wants https and no internal address, unless the host is listed', () => {
    const policy = new NotificationUrlPolicy(['127.0.0.1', 'dev.local']);
    expect(policy.checkSyntax('http://127.0.0.1:8080/hook', 'notificationUrl').port).toBe('8080');
    expect(policy.checkSyntax('http://dev.local/hook', 'notificationUrl').host).toBe('dev.local');
    expect(() => policy.checkSyntax('http://example.com/hook', 'notificationUrl')).toThrow(/https/);
    expect(() => policy.checkSyntax('ftp://example.com/hook', 'notificationUrl')).toThrow(/https/);
    expect(() => policy.checkSyntax('https://10.0.0.1/hook', 'notificationUrl')).toThrow(
      /private, loopback or link-local/,
    );
    expect(() => policy.checkSyntax('https://[fe80::1]/hook', 'notificationUrl')).toThrow(
      /private, loopback or link-local/,
    );
    expect(() => policy.checkSyntax('https://a:b@example.com/', 'notificationUrl')).toThrow(
      /credentials/,
    );
    expect(policy.checkSyntax('https://webhook.example.com/x', 'notificationUrl').href).toBe(
      'https://webhook.example.com/x',
    );
  });

  it('refuses, at connection time, a name that resolves to an internal address', async () => {
    const policy = new NotificationUrlPolicy([]);
    const error = await new Promise<NodeJS.ErrnoException | null>((done) =>
      policy.lookup('localhost', {}, (failure) => done(failure)),
    );
    expect(error?.code).toBe('EADDRNOTALLOWED');
    const listed = new NotificationUrlPolicy(['localhost']);
    const address = await new Promise<string>((done, fail) =>
      listed.lookup('localhost', {}, (failure, found) =>
        failure ? fail(failure) : done(found as string),
      ),
    );
    expect(isInternalAddress(address)).toBe(true);
  });
});
