/**
 * The printable QR of a live code: the contact way's qr_code URL encoded again (error correction M, a quiet
 * zone of 4 modules as the QR standard asks), as PNG (default 1024 px, for print) or SVG (scales to any size).
 */
import QRCode from 'qrcode';

export const QR_PNG_DEFAULT_WIDTH = 1024;

export function qrPng(url: string, width = QR_PNG_DEFAULT_WIDTH): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width });
}

export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/** For pages under a CSP that allows `img-src 'self' data:`. */
export async function qrSvgDataUrl(url: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(url)).toString('base64')}`;
}
