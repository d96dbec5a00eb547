// Asks for the server's API token when it answers 401 (api/token.js keeps it for the session).

import { useState } from 'react';

export default function TokenPrompt({ reason, onAnswer }) {
  const [token, setToken] = useState('');
  const submit = (e) => {
    e.preventDefault();
    onAnswer(token.trim());
  };
  return (
    <form className="token-prompt panel" role="dialog" aria-label="API token" data-testid="token-prompt" onSubmit={submit}>
      <header className="panel-title">API token</header>
      <p>This server needs its API token to be controlled and to stream the simulation ({reason}).
        It is kept for this browser session only.</p>
      <input id="api-token" type="password" autoComplete="off" autoFocus value={token} data-testid="token-input"
        aria-label="API token" onChange={(e) => setToken(e.target.value)} />
      <div className="token-actions">
        <button type="submit" className="btn" disabled={!token.trim()} data-testid="token-submit">Use token</button>
        <button type="button" className="btn" onClick={() => onAnswer('')}>Not now</button>
      </div>
    </form>
  );
}
