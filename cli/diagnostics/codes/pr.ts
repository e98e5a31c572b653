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
  'pr/generated-stale': d('error', ['generated/ 未更新', 'generated/ is stale'],
    ['generated/ 与目录不一致，需要重新生成：{files}', 'generated/ does not match the catalog and must be rebuilt: {files}'],
    ['运行 npm run build，把 generated/ 的变化一起提交。', 'Run npm run build and commit the changes under generated/.']),
};
