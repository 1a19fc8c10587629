import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/** `/app/`: the base the api serves the app under (Vite's `base`). */
const BASE = import.meta.env.BASE_URL;

const current = (): string => window.location.pathname.slice(BASE.length).replace(/\/$/, '');

/** The path below the base (`markets`, `wallet`, …), kept in sync with history. */
export function useRoute(): string {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('popstate', onChange);

    return () => window.removeEventListener('popstate', onChange);
  }, []);

  return route;
}

export function navigate(to: string): void {
  window.history.pushState(null, '', `${BASE}${to}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function Link({ to, children }: { to: string; children: ReactNode }) {
  const onClick = (event: MouseEvent) => {
    if (!event.metaKey && !event.ctrlKey && !event.shiftKey) {
      event.preventDefault();
      navigate(to);
    }
  };

  return (
    <a href={`${BASE}${to}`} onClick={onClick}>
      {children}
    </a>
  );
}
