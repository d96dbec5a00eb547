// A panel's title row; with `fold` ({id, closed, toggle}) the title is a button that collapses it.

export default function PanelTitle({ title, fold, children, className = '' }) {
  return (
    <header className={`panel-title ${className}`}>
      {fold ? (
        <button type="button" className="panel-toggle" aria-expanded={!fold.closed} data-testid={`toggle-${fold.id}`}
          title={fold.closed ? `show ${title}` : `collapse ${title}`} onClick={fold.toggle}>
          <span aria-hidden="true" className="caret">{fold.closed ? '▸' : '▾'}</span>{title}
        </button>
      ) : title}
      {children}
    </header>
  );
}
