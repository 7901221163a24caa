/**
 * Inbound event types that count as the contact replying: the SOP's `replied` branch and exit conditions and
 * the experiments' `reply` metric read the same list, so neither domain owns it.
 */
export const REPLY_TYPES = ['oa_text_message', 'room_message', 'kf.message.text', 'kf.message.image', 'kf.message.voice', 'wecom.message'];
