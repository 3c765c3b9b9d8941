// The trend's control icons as inline SVG in the text colour: they render on every workstation,
// whatever fonts it has (fullwidth ＋ and － drew as empty boxes where no CJK font is installed).
// Decorative: each button names itself with aria-label.
import type { ReactElement } from 'react';
import './trend.css';

const lens = (
  <>
    <circle cx="6.5" cy="6.5" r="4" />
    <path d="M9.5 9.5 14 14" />
  </>
);

const SHAPES = {
  zoomIn: (
    <>
      {lens}
      <path d="M4.5 6.5h4M6.5 4.5v4" />
    </>
  ),
  zoomOut: (
    <>
      {lens}
      <path d="M4.5 6.5h4" />
    </>
  ),
  panBack: <path d="M10.5 3 5 8l5.5 5" />,
  panForward: <path d="M5.5 3 11 8l-5.5 5" />,
} as const;

export type TrendIconName = keyof typeof SHAPES;

export function TrendIcon({ name }: { name: TrendIconName }): ReactElement {
  return (
    <svg
      className="trend-icon"
      data-icon={name}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {SHAPES[name]}
    </svg>
  );
}
