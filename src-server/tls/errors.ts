/** A certificate problem to show the user as one line (a bad name, an unreadable or mismatched file). */
export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}

/** Names the CA may not vouch for: they need a new CA, which every client must trust again. */
export class OutsideCaError extends CertificateError {
  constructor(
    message: string,
    /** The names outside the CA's name constraints. */
    readonly outside: string[],
  ) {
    super(message);
    this.name = 'OutsideCaError';
  }
}
