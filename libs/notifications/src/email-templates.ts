import { Injectable } from '@nestjs/common';
import { DuplicateTemplateError } from './notifications.errors';
import type { Notification } from './notifications.types';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * A lib's e-mail for one notification type. `render` gets the notification (its `data` as the
 * lib sent it) and returns both bodies; values put into `html` go through `escapeHtml`.
 */
export interface EmailTemplate {
  /** The notification type it renders, e.g. `orders.filled`. */
  type: string;
  /** Names the template in the message's `X-Bourse-Template` header (for support and tests). */
  name: string;
  render(notification: Notification): RenderedEmail;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);

/** Types no lib templated: the title as subject, the body as the message. */
export const DEFAULT_TEMPLATE: EmailTemplate = {
  type: '*',
  name: 'notifications.default',
  render: (n) => ({
    subject: n.title,
    text: `${n.body}\n`,
    html: `<!doctype html><html><body><h1>${escapeHtml(n.title)}</h1><p>${escapeHtml(n.body)}</p></body></html>`,
  }),
};

/** The e-mail templates libs registered, by notification type. */
@Injectable()
export class EmailTemplates {
  private readonly byType = new Map<string, EmailTemplate>();

  register(template: EmailTemplate): void {
    if (this.byType.has(template.type)) {
      throw new DuplicateTemplateError(template.type);
    }
    this.byType.set(template.type, template);
  }

  for(type: string): EmailTemplate {
    return this.byType.get(type) ?? DEFAULT_TEMPLATE;
  }
}
