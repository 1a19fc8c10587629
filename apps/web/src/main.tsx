import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ServerClock } from './lib/clock';
import { Session } from './lib/session';
import './styles.css';

const clock = new ServerClock();
// Every api response also calibrates the server clock (its Date header).
const timedFetch = async (request: Request): Promise<Response> => {
  const sentAt = Date.now();
  const response = await fetch(request);
  clock.observe(sentAt, Date.now(), response.headers.get('date'));

  return response;
};
const session = new Session(window.location.origin, window.sessionStorage, timedFetch);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App services={{ session, clock }} />
  </StrictMode>,
);
