import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

/** A message to one person; `to` is an e-mail address or a phone number depending on the channel. */
export type Message = { to: string; subject: string; text: string };

export type Transports = { email: (message: Message) => Promise<void>; sms: (message: Message) => Promise<void> };

/**
 * E-mail through SMTP when SMTP_URL is set (nodemailer), else written to the log; SMS through the
 * log until an SMS gateway adapter is configured. The log never carries the message body or the
 * full address: only the kind of message and a masked recipient.
 */
export function createTransports(options: { smtpUrl?: string; from: string; logger: Logger }): Transports {
  const mask = (to: string) => to.replace(/^(.{2}).*(.{2})$/, '$1…$2');
  const logged = (channel: string) => async (message: Message) => {
    options.logger.info({ channel, to: mask(message.to), subject: message.subject }, 'notification (log transport)');
  };
  const smtp = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  return {
    email: smtp
      ? async (message) => {
          await smtp.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
        }
      : logged('email'),
    sms: logged('sms'),
  };
}
