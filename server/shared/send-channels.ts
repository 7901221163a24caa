/**
 * The channels a send goes out on, and the kebab-case id shape: SOP steps and content templates share both
 * (content is keyed by channel), so they live outside either domain.
 */
export const CHANNELS = ['wecom_1to1', 'wecom_group', 'wecom_moments', 'kf', 'official_account'] as const;
export type Channel = (typeof CHANNELS)[number];

/** kebab-case: `new-friend-onboarding`, `day3-send`. */
export const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
