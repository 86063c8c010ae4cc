/** A certificate problem to show the user as one line (a bad name, an unreadable or mismatched file). */
export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}
