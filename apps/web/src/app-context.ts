import { createContext, useContext } from 'react';
import type { ServerClock } from './lib/clock';
import type { Session } from './lib/session';

/** What every page shares: the session (and its typed client) and the server clock. */
export interface AppServices {
  session: Session;
  clock: ServerClock;
}

export const ServicesContext = createContext<AppServices | undefined>(undefined);

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) {
    throw new Error('useServices outside ServicesContext');
  }

  return services;
}
