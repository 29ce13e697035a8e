/**
 * Read-only, monospace Python source, highlighted with JupyterLab's own
 * CodeMirror highlighter when the language registry is available (it is
 * shared with JupyterLab, so it costs our bundle nothing).
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import * as React from 'react';

export interface ICodeViewProps {
  code: string;
  label: string;
  languages?: IEditorLanguageRegistry | null;
}

export function CodeView(props: ICodeViewProps): JSX.Element {
  const ref = React.useRef<HTMLElement>(null);
  const { code, languages } = props;

  React.useEffect(() => {
    const el = ref.current;
    if (!el) {
      return;
    }
    let cancelled = false;
    el.textContent = code;
    const language = languages?.findBest('python');
    if (languages && language) {
      const target = document.createElement('code');
      languages
        .highlight(code, language, target)
        .then(() => {
          if (!cancelled) {
            el.replaceChildren(...Array.from(target.childNodes));
          }
        })
        .catch(() => {
          // Keep the plain text already shown.
        });
    }
    return () => {
      cancelled = true;
    };
  }, [code, languages]);

  return (
    <pre
      className="jp-JupyterExt-code"
      aria-label={props.label}
      tabIndex={0}
      data-lang="python"
    >
      {/* Filled by the effect: React never owns these nodes. */}
      <code ref={ref} />
    </pre>
  );
}
