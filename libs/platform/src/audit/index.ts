export { AuditLog, type AuditAction, type AuditContext, type AuditEvent } from './audit-log';
export {
  AUDIT_ACTIONS,
  AUDIT_TARGET_KINDS,
  auditVocabulary,
  type AuditVocabulary,
} from './audit-vocabulary';
export { AdminActionDto, AuditEventDto, AuditPageDto, AuditQueryDto } from './audit.dto';
export { AuditModule } from './audit.module';
