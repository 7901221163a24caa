/**
 * A QR of a link as an SVG data URL, for pages whose CSP allows only `img-src 'self' data:` (a vendor's QR link
 * cannot be shown as an image there, so the link is encoded again, like the printable live-code QR).
 */
import QRCode from 'qrcode';

export async function qrSvgDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
