export {
  AUDIT_ACTIONS,
  AuditLog,
  type AuditAction,
  type AuditContext,
  type AuditEvent,
} from './audit-log';
export { AdminActionDto, AuditEventDto, AuditPageDto, AuditQueryDto } from './audit.dto';
export { AuditModule } from './audit.module';
