// The connections table writes a connection's last error time as every screen writes a time
// (lib/datetime.ts formatDateTime: the site's date format and time zone), not as the core's ISO text.
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDiagnostics, CoreInfo } from '../../../../native/api/types';
import { appStore } from '../../platform/store';
import { Connections } from './Connections';

const initial = appStore.getState();
// Rendered to markup (no DOM here), the store's hooks read its server snapshot, the initial state:
// it is made the state the test sets.
vi.spyOn(appStore, 'getInitialState').mockImplementation(() => appStore.getState());
afterEach(() => appStore.setState(initial, true));

const plc: ConnectionDiagnostics = {
  name: 'plc',
  protocol: 'modbus',
  endpoint: '10.0.0.5:502',
  state: 'error',
  lastError: 'connection refused by 10.0.0.5:502',
  lastErrorAt: '2026-12-01T16:05:09.000Z',
  reconnects: 3,
  tagCount: 12,
  rate: 0,
  latencyMs: null,
  errors: {},
};

describe('Connections', () => {
  it("shows the last error's time in the site's format and time zone", () => {
    appStore.setState({
      link: 'online',
      connections: [plc],
      info: { ...(initial.info ?? {}), timeZone: 'Europe/Berlin', dateFormat: 'dmy' } as CoreInfo,
    });
    const html = renderToStaticMarkup(<Connections />);
    expect(html).toContain('connection refused by 10.0.0.5:502 (01/12/2026 17:05:09)');
    expect(html).not.toContain('2026-12-01T16:05:09');
  });
});
