import { useEffect, useState } from 'react';
import { ServicesContext, type AppServices } from './app-context';
import { Link, navigate, useRoute } from './lib/router';
import type { SignOutReason } from './lib/session';
import { AdminPage } from './pages/AdminPage';
import { AuctionsPage } from './pages/AuctionsPage';
import { AlertsPage } from './pages/AlertsPage';
import { AuthPage } from './pages/AuthPage';
import { GoldPage } from './pages/GoldPage';
import { MarketsPage } from './pages/MarketsPage';
import { PaymentsPage } from './pages/PaymentsPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { TwoFactorPage } from './pages/TwoFactorPage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { TopupPage } from './pages/TopupPage';
import { WalletPage } from './pages/WalletPage';

/** Markets are public; the wallet and operations need a session (operations: an admin). */
export function App({ services }: { services: AppServices }) {
  const { session } = services;
  const route = useRoute();
  const [user, setUser] = useState(session.user);
  const [reason, setReason] = useState<SignOutReason>();

  useEffect(
    () =>
      session.subscribe((ended) => {
        setUser(session.user);
        setReason(ended);
        if (ended === 'session_ended') {
          navigate('sign-in');
        }
      }),
    [session],
  );

  const needsUser = [
    'wallet',
    'admin',
    'two-factor',
    'alerts',
    'topup',
    'gold',
    'deposit',
  ].includes(route);
  useEffect(() => {
    if (needsUser && !user) {
      navigate('sign-in');
    }
  }, [needsUser, user]);

  const page = (() => {
    switch (route) {
      case 'sign-in':
        return <AuthPage mode="sign-in" reason={reason} />;
      case 'register':
        return <AuthPage mode="register" />;
      case 'wallet':
        return user && <WalletPage />;
      case 'verify-email':
        return <VerifyEmailPage />;
      case 'reset-password':
        return <ResetPasswordPage />;
      case 'two-factor':
        return user && <TwoFactorPage />;
      case 'alerts':
        return user && <AlertsPage />;
      case 'topup':
        return user && <TopupPage />;
      case 'gold':
        return user && <GoldPage />;
      case 'auctions':
        return <AuctionsPage />;
      case 'deposit':
        return user && <PaymentsPage />;
      case 'admin':
        return user?.role === 'admin' ? <AdminPage /> : <p>Operations are for admins.</p>;
      default:
        return <MarketsPage />;
    }
  })();

  return (
    <ServicesContext.Provider value={services}>
      <header>
        <strong className="brand">Bourse</strong>
        <nav>
          <Link to="markets">Markets</Link>
          <Link to="auctions">Auctions</Link>
          {user && <Link to="wallet">Wallet</Link>}
          {user && <Link to="two-factor">Security</Link>}
          {user && <Link to="alerts">Alerts</Link>}
          {user && <Link to="topup">Top-up</Link>}
          {user && <Link to="gold">Gold</Link>}
          {user && <Link to="deposit">Deposit</Link>}
          {user?.role === 'admin' && <Link to="admin">Operations</Link>}
        </nav>
        <span className="user">
          {user ? (
            <>
              <span data-testid="user-email">{user.email}</span>{' '}
              <button
                type="button"
                onClick={() => void session.signOut().then(() => navigate('sign-in'))}
              >
                Sign out
              </button>
            </>
          ) : (
            <Link to="sign-in">Sign in</Link>
          )}
        </span>
      </header>
      <main>{page}</main>
    </ServicesContext.Provider>
  );
}
