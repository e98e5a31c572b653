import { d } from './define.ts';

/** Diagnostics of the pull-request channel: `hall diff`'s forbidden changes (seed 000 §9–14, 001 §10–12). */
export const PR_DIAGNOSTICS = {
  'pr/published-deleted': d('error', ['已发布的事项被删除', 'Published service deleted'],
    ['已发布的事项“{name}”（{id}，状态：{status}）的文件 {file} 被删除了。', 'The file {file} of the published service "{name}" ({id}, status {status}) was deleted.'],
    ['已发布的事项不能删除，它的网址和办理数据要保留供查询统计（000号文第十三条，001号文第十一条）。请恢复这个文件，改用 npx hall retire {id} --reason "停办原因" 标记为停办。', 'A published service is never deleted: its URL and data stay for queries and statistics (seed 000 §13, 001 §11). Restore the file and run npx hall retire {id} --reason "…" instead.'],
    { bad: 'git rm catalog/bwc/old-service.yaml', good: 'npx hall retire old-service --reason 已并入新事项 --successor new-service' }),
  'pr/id-changed': d('error', ['已发布事项的标识被修改', 'Published service id changed'],
    ['已发布的事项“{name}”的标识从“{from}”改成了“{to}”。', 'The id of the published service "{name}" changed from "{from}" to "{to}".'],
    ['标识是网址的一部分，发布后不能修改。请把 id 改回 {from}；确需新标识时，新建一个事项，再用 npx hall retire {from} --reason "…" --successor {to} 让旧事项停办并指向新事项。', 'The id is part of the URL and never changes once published. Change it back to {from}; if a new id is really needed, create a new service and run npx hall retire {from} --reason "…" --successor {to}.'],
    { bad: 'id: student-leave-v2', good: 'id: student-leave' }),
  'pr/confidential-while-online': d('error', ['在办事项被改为涉密', 'Running service made confidential'],
    ['事项“{name}”（{id}）在状态为“{status}”时被改为涉密（confidential）。', 'The service "{name}" ({id}) was made confidential while its status is {status}.'],
    ['涉密事项不得上网发布或办理（000号文第十四条，001号文第十二条），而这个事项已经在网上。请保留原来的公开范围，先用 npx hall retire {id} 让它停办（数据保留），涉密部分改为线下办理并另行登记。', 'Confidential services are never online (seed 000 §14, 001 §12), and this one already is. Keep its classification, retire it first with npx hall retire {id} (its data is kept), and handle the confidential part offline.'],
    { bad: 'status: online\nclassification: confidential', good: 'status: retired\nclassification: public' }),
  'pr/kept-versions-dropped': d('error', ['保留的运行版本会被丢弃', 'Kept runtime versions would be dropped'],
    ['事项“{name}”（{id}）在运行清单中保留着到 v{current} 的版本，本 PR 把它改成了没有运行定义的样子（状态：{status}）。', 'The service "{name}" ({id}) keeps runtime versions up to v{current}, and this PR leaves it without a runtime definition (status {status}).'],
    ['仍在办理中的申请和统计要用这些版本，任何状态或类型的修改都不能让它们消失（000号文第十三条）。要暂停受理请用 status: suspended，要停办请用 npx hall retire {id}；保留版本只能由信息化办按 generated/README.md 的程序删除。', 'Applications in flight and statistics use these versions; no status or type change may make them disappear (seed 000 §13). Use status: suspended to pause, npx hall retire {id} to retire; only the IT office removes a kept version, by the procedure in generated/README.md.'],
    { bad: 'status: draft   # 原来是 online', good: 'status: suspended' }),
  'pr/published-to-draft': d('error', ['已发布的事项改回草稿', 'Published service made a draft again'],
    ['已发布的事项“{name}”（{id}，原状态：{status}）被改回了草稿。', 'The published service "{name}" ({id}, was {status}) was made a draft again.'],
    ['草稿不出现在网站和运行定义中，改回草稿等于删除已发布的页面和网址（000号文第十三条）。要暂停受理请用 status: suspended，要停办请用 npx hall retire {id}。', 'Drafts are not on the site or in the runtime, so this removes a published page and URL (seed 000 §13). Use status: suspended to pause, or npx hall retire {id}.'],
    { bad: 'status: draft', good: 'status: suspended' }),
  'pr/generated-stale': d('error', ['generated/ 未更新', 'generated/ is stale'],
    ['generated/ 与目录不一致，需要重新生成：{files}', 'generated/ does not match the catalog and must be rebuilt: {files}'],
    ['运行 npm run build，把 generated/ 的变化一起提交。', 'Run npm run build and commit the changes under generated/.']),
};
