-- servicehall 0010: 代理申请 (issue 14.6). Portable SQL (SQLite and PostgreSQL).

-- application.proxy_id (added by 0009: who applied on the applicant's behalf) is what the office's list of
-- cases submitted for others reads, newest first (GET /api/proxy/applications, /proxy).
CREATE INDEX application_by_proxy ON application (proxy_id, submitted_at);
