/** The content domain's collections: templates (with their draft), immutable published versions, and per-corp settings. */
import type { Connection } from 'mongoose';
import { contentSettingsSchema } from './content-settings.schema.ts';
import { contentTemplateSchema } from './content-template.schema.ts';
import { contentVersionSchema } from './content-version.schema.ts';

export function registerContentModels(conn: Connection) {
  return {
    ContentTemplate: conn.model('ContentTemplate', contentTemplateSchema),
    ContentVersion: conn.model('ContentVersion', contentVersionSchema),
    ContentSettings: conn.model('ContentSettings', contentSettingsSchema),
  };
}

export type ContentModels = ReturnType<typeof registerContentModels>;
