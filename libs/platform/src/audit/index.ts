export { AUDIT_ACTIONS, AuditLog, type AuditAction, type AuditEvent } from './audit-log';
export { AuditEventDto, AuditPageDto, AuditQueryDto } from './audit.dto';
export { AuditModule } from './audit.module';
