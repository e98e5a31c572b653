import type { Diagnostic, Lang, Severity } from './diagnostic.ts';

/**
 * Every diagnostic the toolchain can emit, under a permanent name. Names never change once released:
 * admins search for them, and the site's error reference is generated from this table.
 * Messages and hints are templates; `{name}` is replaced by the diagnostic's argument of that name.
 */
export interface DiagnosticDefinition {
  severity: Severity;
  title: Record<Lang, string>;
  message: Record<Lang, string>;
  hint: Record<Lang, string>;
  /** A broken and a fixed YAML snippet for the reference page. */
  example?: { bad: string; good: string };
}

const d = (
  severity: Severity,
  title: [string, string],
  message: [string, string],
  hint: [string, string],
  example?: { bad: string; good: string },
): DiagnosticDefinition => ({
  severity,
  title: { zh: title[0], en: title[1] },
  message: { zh: message[0], en: message[1] },
  hint: { zh: hint[0], en: hint[1] },
  example,
});

export const DIAGNOSTICS = {
  // --- files ------------------------------------------------------------------------------------
  'file/too-large': d('error', ['文件过大', 'File too large'],
    ['文件有 {size} 字节，超过上限 {limit} 字节。', 'The file has {size} bytes, over the limit of {limit}.'],
    ['一个事项的 YAML 通常只有几 KB。请检查是否误粘贴了大段内容；附件请放在 files/ 下并用路径引用。', 'A service file is usually a few KB. Put attachments under files/ and refer to them by path.']),
  'file/binary': d('error', ['不是文本文件', 'Not a text file'],
    ['文件包含二进制内容（第 {offset} 字节处有 NUL 字符），不是 YAML 文本。', 'The file contains binary data (a NUL byte at offset {offset}); it is not YAML text.'],
    ['请确认没有把 Word、PDF 或图片文件改名为 .yaml。附件请放到 files/ 文件夹。', 'Make sure no Word, PDF or image file was renamed to .yaml. Put attachments in files/.']),
  'file/encoding': d('error', ['编码不是 UTF-8', 'Not UTF-8'],
    ['文件不是 UTF-8 编码（第 {offset} 字节处无法解码）。', 'The file is not UTF-8 (cannot decode at byte {offset}).'],
    ['请在编辑器中“以 UTF-8 编码保存”（VS Code：右下角编码 → 通过编码保存 → UTF-8）。不要使用 GBK/GB2312。', 'Save the file as UTF-8 in your editor (not GBK/GB2312).']),
  'file/bom': d('error', ['文件开头有 BOM', 'Byte order mark'],
    ['文件以 BOM（字节顺序标记）开头。', 'The file starts with a byte order mark (BOM).'],
    ['请以“UTF-8（无 BOM）”重新保存。记事本保存时请选择“UTF-8”而不是“带有 BOM 的 UTF-8”。', 'Save it again as UTF-8 without BOM.']),
  'file/empty': d('error', ['文件为空', 'Empty file'],
    ['文件是空的。', 'The file is empty.'],
    ['填写内容，或删除这个文件。新建事项可用 hall new 生成模板。', 'Fill it in or delete it. Use hall new to scaffold a service.']),
  'file/symlink-outside': d('error', ['链接指向 catalog 之外', 'Link points outside the catalog'],
    ['这是一个指向 catalog/ 之外的符号链接（{target}），出于安全考虑不会读取。', 'This is a symbolic link to {target}, outside catalog/; it is not read, for safety.'],
    ['请把真实文件复制到 catalog/ 内，而不是使用链接。', 'Copy the real file into catalog/ instead of linking it.']),
  'file/unreadable': d('error', ['无法读取文件', 'Cannot read the file'],
    ['无法读取：{reason}', 'Cannot read it: {reason}'],
    ['检查文件权限，或文件是否正被其他程序占用。', 'Check the file permissions.']),

  // --- YAML syntax --------------------------------------------------------------------------------
  'yaml/syntax': d('error', ['YAML 语法错误', 'YAML syntax error'],
    ['YAML 语法错误：{detail}', 'YAML syntax error: {detail}'],
    ['检查这一行的缩进（用空格，每层两个）、冒号后的空格，以及引号是否成对。', 'Check this line\'s indentation (spaces, two per level), the space after each colon, and paired quotes.'],
    { bad: 'name: 学生请假审批\n  type: online', good: 'name: 学生请假审批\ntype: online' }),
  'yaml/tab-indent': d('error', ['使用了 Tab 缩进', 'Tab indentation'],
    ['YAML 不允许用 Tab 缩进。', 'YAML does not allow tabs for indentation.'],
    ['把这一行开头的 Tab 换成空格（每层两个空格）。在 VS Code 中可执行“将缩进转换为空格”。', 'Replace the leading tab with spaces (two per level).'],
    { bad: 'guide:\n\tsummary: …', good: 'guide:\n  summary: …' }),
  'yaml/duplicate-key': d('error', ['重复的键', 'Duplicate key'],
    ['“{key}”在同一层出现了两次，后一个会覆盖前一个。', '"{key}" appears twice at the same level; the second would silently replace the first.'],
    ['删除其中一个，或把两处内容合并。', 'Delete one of them, or merge the two.'],
    { bad: 'name: 休学申请\nname: 复学申请', good: 'name: 休学申请' }),
  'yaml/multiple-documents': d('error', ['一个文件里有多个文档', 'Several documents in one file'],
    ['文件中有 {count} 个 YAML 文档（用 --- 分隔），每个文件只能写一个。', 'The file holds {count} YAML documents (separated by ---); each file holds exactly one.'],
    ['把其余部分拆到单独的文件中，或删掉多余的 --- 行。', 'Move the others into files of their own, or delete the extra --- line.']),
  'yaml/alias-limit': d('error', ['别名过多', 'Too many aliases'],
    ['文件中的别名（*引用）展开后过大，为防止资源耗尽已停止读取。', 'The file\'s aliases (*refs) expand too far; reading stopped to protect the machine.'],
    ['事项文件不需要 YAML 锚点和别名（&name / *name），请直接写出内容。', 'Service files need no anchors or aliases; write the content out.']),
  'yaml/forbidden-key': d('error', ['不允许的键名', 'Forbidden key'],
    ['键名“{key}”有特殊含义，不允许使用。', 'The key "{key}" has a special meaning in programs and is not allowed.'],
    ['改用其他名称。', 'Use another name.']),
  'yaml/not-a-map': d('error', ['文件内容不是键值结构', 'Not a mapping'],
    ['文件的顶层应当是“键: 值”的结构，这里是 {found}。', 'The top level must be a mapping of keys to values; found {found}.'],
    ['参照同类文件的写法，以 apiVersion: servicehall/v1 开头。', 'Start like other files of its kind, with apiVersion: servicehall/v1.']),

  // --- catalog layout -----------------------------------------------------------------------------
  'catalog/unknown-kind': d('error', ['无法识别的文件类型', 'Unknown file kind'],
    ['无法识别 kind“{kind}”。{suggestion}', 'Unknown kind "{kind}". {suggestion}'],
    ['kind 只能是 Hall、Department、RoleGroups 或 Service。', 'kind must be Hall, Department, RoleGroups or Service.']),
  'catalog/misplaced-file': d('error', ['文件位置不对', 'File in the wrong place'],
    ['{kind} 文件应放在 {expected}。', 'A {kind} file belongs at {expected}.'],
    ['移动文件到正确的位置：hall.yaml 和 roles.yaml 在 catalog/ 下；部门在 catalog/<部门代码>/department.yaml；事项在部门文件夹中。', 'Move the file: hall.yaml and roles.yaml at the top of catalog/, departments at catalog/<code>/department.yaml, services inside department folders.']),
  'catalog/missing-file': d('error', ['缺少必需的文件', 'Required file missing'],
    ['缺少 {expected}。', '{expected} is missing.'],
    ['每个目录都需要它；可参照示例目录创建。', 'Every catalog needs it; copy the example catalog\'s.']),
  'catalog/folder-mismatch': d('error', ['部门代码与文件夹不一致', 'Code differs from folder'],
    ['部门代码是“{code}”，但文件夹名是“{folder}”。', 'The department code is "{code}" but its folder is "{folder}".'],
    ['把文件夹改名为 {code}，或把 code 改为 {folder}（两者必须相同，评审分派按文件夹进行）。', 'Rename the folder or the code; they must match because reviews are routed by folder.']),
  'catalog/owner-folder': d('error', ['事项不在主管部门的文件夹', 'Service outside its owner\'s folder'],
    ['事项的主管部门是“{owner}”，但文件在“{folder}”文件夹中。', 'The service is owned by "{owner}" but its file is in "{folder}".'],
    ['把文件移到 catalog/{owner}/，或改正 owner。', 'Move the file to catalog/{owner}/ or correct owner.']),
  'catalog/duplicate-id': d('error', ['标识重复', 'Duplicate id'],
    ['{what}标识“{id}”已在 {other} 中使用。', 'The {what} id "{id}" is already used in {other}.'],
    ['标识必须唯一，请换一个。', 'Ids must be unique; pick another.']),
  'catalog/file-name': d('warning', ['文件名与标识不一致', 'File name differs from id'],
    ['事项标识是“{id}”，文件名却是“{name}”。', 'The service id is "{id}" but the file is named "{name}".'],
    ['把文件改名为 {id}.yaml，方便查找。', 'Rename the file to {id}.yaml so it is easy to find.']),

  // --- schema -------------------------------------------------------------------------------------
  'schema/required': d('error', ['缺少必填项', 'Missing required field'],
    ['缺少必填项“{property}”（{description}）。', 'The required field "{property}" is missing ({description}).'],
    ['在这一层添加 {property}:。编辑器装好 YAML 插件后会提示可填的内容。', 'Add {property}: at this level; the YAML extension in your editor suggests what to write.'],
    { bad: 'guide:\n  summary: …', good: 'guide:\n  summary: …\n  reviewed: 2026-09-01' }),
  'schema/unknown-property': d('error', ['无法识别的字段', 'Unknown field'],
    ['不认识字段“{property}”。{suggestion}', 'Unknown field "{property}". {suggestion}'],
    ['检查拼写；这一层允许的字段有：{allowed}。', 'Check the spelling; allowed here: {allowed}.'],
    { bad: 'guide:\n  sumary: …', good: 'guide:\n  summary: …' }),
  'schema/type': d('error', ['类型不对', 'Wrong type'],
    ['这里应当是{expected}，实际写的是{actual}。', 'Expected {expected} here, found {actual}.'],
    ['{typeHint}', '{typeHint}'],
    { bad: 'visits:\n  count: 一次', good: 'visits:\n  count: 1' }),
  'schema/enum': d('error', ['取值不在允许范围内', 'Value not allowed'],
    ['“{value}”不是允许的取值。{suggestion}', '"{value}" is not an allowed value. {suggestion}'],
    ['允许的取值：{allowed}。', 'Allowed values: {allowed}.'],
    { bad: 'status: 上线', good: 'status: online' }),
  'schema/const': d('error', ['取值固定', 'Fixed value'],
    ['这里只能写“{expected}”。', 'This must be "{expected}".'],
    ['改为 {expected}。', 'Write {expected}.']),
  'schema/pattern': d('error', ['格式不对', 'Wrong format'],
    ['“{value}”的格式不对：{description}', '"{value}" has the wrong format: {description}'],
    ['按说明改写，例如：{example}', 'Rewrite it as described, e.g. {example}'],
    { bad: 'id: Student_Leave', good: 'id: student-leave' }),
  'schema/format': d('error', ['格式不对', 'Wrong format'],
    ['“{value}”不是有效的{format}。', '"{value}" is not a valid {format}.'],
    ['{formatHint}', '{formatHint}'],
    { bad: 'reviewed: 2026/9/1', good: 'reviewed: 2026-09-01' }),
  'schema/range': d('error', ['超出范围', 'Out of range'],
    ['{detail}', '{detail}'],
    ['按要求调整数值或条目数量。', 'Adjust the value or the number of entries.']),
  'schema/invalid': d('error', ['内容不符合格式', 'Does not match the format'],
    ['内容不符合格式：{detail}', 'Does not match the format: {detail}'],
    ['对照编辑器的提示或格式参考修改。', 'Compare with the format reference.']),

  // --- references ---------------------------------------------------------------------------------
  'ref/unknown-department': d('error', ['部门不存在', 'Unknown department'],
    ['没有代码为“{id}”的部门。{suggestion}', 'No department has the code "{id}". {suggestion}'],
    ['部门代码就是 catalog/ 下的文件夹名。', 'Department codes are the folder names under catalog/.'],
    { bad: 'owner: baowei', good: 'owner: bwc' }),
  'ref/unknown-group': d('error', ['人员群组不存在', 'Unknown role group'],
    ['roles.yaml 中没有群组“{id}”。{suggestion}', 'roles.yaml has no group "{id}". {suggestion}'],
    ['使用 roles.yaml 中已有的群组；需要新群组时，请在 roles.yaml 中添加并写明维护部门。', 'Use a group from roles.yaml, or add one there with its maintainer.'],
    { bad: 'group: fudaoyuan', good: 'group: counselor' }),
  'ref/unknown-topic': d('error', ['主题不存在', 'Unknown topic'],
    ['hall.yaml 中没有主题“{id}”。{suggestion}', 'hall.yaml has no topic "{id}". {suggestion}'],
    ['可用的主题：{allowed}。', 'Topics: {allowed}.']),
  'ref/unknown-audience': d('error', ['服务对象不存在', 'Unknown audience'],
    ['hall.yaml 中没有服务对象“{id}”。{suggestion}', 'hall.yaml has no audience "{id}". {suggestion}'],
    ['可用的服务对象：{allowed}。', 'Audiences: {allowed}.']),
  'ref/unknown-channel': d('error', ['渠道不存在', 'Unknown channel'],
    ['hall.yaml 中没有渠道“{id}”。{suggestion}', 'hall.yaml has no channel "{id}". {suggestion}'],
    ['可用的渠道：{allowed}。', 'Channels: {allowed}.']),
  'ref/unknown-data-source': d('error', ['数据来源不存在', 'Unknown data source'],
    ['数据平台不提供“{id}”。{suggestion}', 'The data platform offers no "{id}". {suggestion}'],
    ['可用的数据见 hall.yaml 的 dataSources：{allowed}。', 'See dataSources in hall.yaml: {allowed}.']),
  'ref/unknown-service': d('error', ['事项不存在', 'Unknown service'],
    ['没有标识为“{id}”的事项。{suggestion}', 'No service has the id "{id}". {suggestion}'],
    ['写出被引用事项的 id（它的文件名）。', 'Write the referenced service\'s id (its file name).']),
  'ref/not-a-certificate': d('error', ['该事项不出具电子证照', 'Not an e-certificate'],
    ['事项“{id}”的办理结果不是电子证照，不能作为材料直接使用。', 'Service "{id}" does not issue an e-certificate, so it cannot stand in for this material.'],
    ['在“{id}”的 guide.result 中写 eCertificate: true，或去掉这里的 eCertificate。', 'Set eCertificate: true in that service\'s guide.result, or drop eCertificate here.']),
  'ref/retired-successor': d('error', ['接替事项已停办', 'Successor is retired'],
    ['接替事项“{id}”本身已停办。', 'The successor "{id}" is itself retired.'],
    ['指向仍在办理的事项，或去掉 successor。', 'Point to a service still running, or drop successor.']),
  'ref/missing-file': d('error', ['附件不存在', 'Attachment missing'],
    ['找不到附件“{path}”。', 'Attachment "{path}" does not exist.'],
    ['把文件放到 {expected}，或改正路径（相对于本 YAML 文件所在文件夹）。', 'Put the file at {expected}, or correct the path (relative to this YAML file\'s folder).']),
  'ref/file-outside-catalog': d('error', ['附件路径越界', 'Attachment outside the catalog'],
    ['附件路径“{path}”指向 catalog/ 之外。', 'The attachment path "{path}" points outside catalog/.'],
    ['附件必须放在 catalog/ 内（通常是本部门的 files/ 文件夹），路径中不要用 ../ 跳出，也不要写绝对路径。', 'Keep attachments inside catalog/ (usually the department\'s files/); no ../ escapes or absolute paths.']),
  'ref/unknown-step': d('error', ['环节不存在', 'Unknown step'],
    ['流程中没有环节“{id}”。{suggestion}', 'The workflow has no step "{id}". {suggestion}'],
    ['环节标识见 workflow.steps 中各环节的 id。', 'Step ids are the ids under workflow.steps.']),
  'ref/unknown-field': d('error', ['表单字段不存在', 'Unknown form field'],
    ['表单中没有字段“{id}”。{suggestion}', 'The form has no field "{id}". {suggestion}'],
    ['字段标识见 form.sections 中各字段的 id。', 'Field ids are the ids under form.sections.']),
  'ref/unknown-applicant-attribute': d('error', ['申请人属性不存在', 'Unknown applicant attribute'],
    ['hall.yaml 的 dataSources 中没有 applicant.{id}。{suggestion}', 'hall.yaml\'s dataSources has no applicant.{id}. {suggestion}'],
    ['申请人属性来自数据平台，见 hall.yaml 的 dataSources。', 'Applicant attributes come from the data platform; see dataSources in hall.yaml.']),
  'ref/scope-mismatch': d('error', ['审批范围与群组不匹配', 'Scope does not fit the group'],
    ['群组“{group}”按{groupScope}划分，但范围“{scope}”给出的是{scopeKind}。', 'Group "{group}" is divided by {groupScope}, but scope "{scope}" gives {scopeKind}.'],
    ['{scopeHint}', '{scopeHint}'],
    { bad: 'group: counselor\nscope: university', good: 'group: counselor\nscope: applicant.class' }),

  // --- expressions and templates ------------------------------------------------------------------
  'feel/syntax': d('error', ['条件表达式语法错误', 'Condition syntax error'],
    ['条件“{expression}”不是有效的 FEEL 表达式{detail}。', 'The condition "{expression}" is not valid FEEL{detail}.'],
    ['FEEL 写法：比较用 = 、!= 、> 、>=，组合用 and / or，字符串用英文双引号，如 days > 3 and type = "病假"。不要以 = 开头。', 'FEEL: compare with =, !=, >, >=; combine with and / or; strings in double quotes, e.g. days > 3 and type = "sick". No leading =.'],
    { bad: 'if: days >> 3', good: 'if: days > 3' }),
  'feel/unknown-name': d('error', ['条件中引用了不存在的名称', 'Condition names something unknown'],
    ['条件中的“{name}”既不是表单字段，也不是申请人属性。{suggestion}', '"{name}" in the condition is neither a form field nor an applicant attribute. {suggestion}'],
    ['条件只能引用本事项表单的字段 id 和 applicant.* 属性。', 'Conditions may only name this form\'s field ids and applicant.* attributes.'],
    { bad: 'if: day > 3', good: 'if: days > 3' }),
  'template/syntax': d('error', ['通知模板语法错误', 'Template syntax error'],
    ['通知模板无法解析：{detail}', 'The notification template does not parse: {detail}'],
    ['变量写成 {{applicant.name}}，花括号成对出现。', 'Write variables as {{applicant.name}} with paired braces.']),
  'template/unknown-variable': d('error', ['通知模板中有未知变量', 'Unknown template variable'],
    ['模板变量“{name}”不存在。{suggestion}', 'The template variable "{name}" does not exist. {suggestion}'],
    ['可用变量：service.name、applicant.*、step.name、form.字段、dueDate、comment、url。', 'Variables: service.name, applicant.*, step.name, form.<field>, dueDate, comment, url.']),

  // --- safety of text -----------------------------------------------------------------------------
  'text/html': d('error', ['文本中含有 HTML', 'HTML in text'],
    ['文本中含有 HTML 标签“{tag}”。', 'The text contains the HTML tag "{tag}".'],
    ['办事指南只用纯文本，网站会统一排版。需要链接请使用 url 字段；如果确实要写尖括号，请用全角“＜＞”。', 'Guides are plain text; the site lays them out. Use url fields for links.'],
    { bad: 'summary: <b>注意</b>', good: 'summary: 注意' }),
  'text/unsafe-link': d('error', ['不安全的链接', 'Unsafe link'],
    ['“{value}”使用了 {scheme} 协议，可能执行脚本或嵌入内容，不允许使用。', '"{value}" uses the {scheme} scheme, which can run scripts or embed content; it is not allowed.'],
    ['链接只能以 https:// 或 http:// 开头。附件请放到 files/ 并用路径引用。', 'Links must start with https:// or http://. Put attachments in files/.'],
    { bad: 'url: javascript:alert(1)', good: 'url: https://oa.example.edu.cn' }),

  // --- policy (seeds) -----------------------------------------------------------------------------
  'policy/contingency-required': d('error', ['缺少线下应急预案', 'No offline contingency procedure'],
    ['网上办理的事项必须写明停电、断网时的线下应急办理预案（000号文第八条第四项，001号文第五条第五项）。', 'An online service needs an offline procedure for power or network outages (seed 000 §8.4, 001 §5.5).'],
    ['在 guide 下添加 contingency:，写明去哪里、找谁、带什么材料办理。', 'Add guide.contingency: where to go, whom to see, what to bring.'],
    { bad: 'guide:\n  summary: …', good: 'guide:\n  contingency: 系统故障时，到行政楼105室填写纸质《请假申请表》办理。' }),
  'policy/confidential-published': d('error', ['涉密事项不得上网', 'Confidential service published'],
    ['涉密事项不得在网上发布或办理（000号文第十四条，001号文第十二条），但它的类型是“{type}”、状态是“{status}”。', 'A confidential service may never be published or handled online (seed 000 §14, 001 §12); this one is type "{type}", status "{status}".'],
    ['涉密事项只能登记备案：type: guide，status: draft 或 retired，且不写 form、workflow、link、appointment。', 'Keep it for the record only: type guide, status draft or retired, no form/workflow/link/appointment.']),
  'policy/step-outside-participants': d('error', ['环节部门不在参与部门中', 'Step department not participating'],
    ['环节“{step}”属于部门“{department}”，但该部门不是主管部门，也不在 participants 中。', 'Step "{step}" belongs to "{department}", which is neither the owner nor listed in participants.'],
    ['把 {department} 加入 participants（上线前须经所有涉及部门确认，000号文第十一条）。', 'Add {department} to participants: every involved department confirms before going online (seed 000 §11).']),
  'policy/visits-reason': d('error', ['到现场次数缺少原因', 'Visits without a reason'],
    ['需要到现场 {count} 次，但没有写原因。', '{count} visit(s) on site are required but no reason is given.'],
    ['在 visits 下写 reason:，说明为什么必须到现场（如“核验原件”）。', 'Add visits.reason explaining why (e.g. to check originals).']),
  'policy/grade-visits': d('error', ['全程网办仍需到现场', 'Grade IV with visits'],
    ['网上办理深度为Ⅳ级（全程网办），到现场次数应为 0，这里是 {count}。', 'Grade IV (fully online) means zero visits; this says {count}.'],
    ['把 visits.count 改为 0，或降低 onlineDepth.grade。', 'Set visits.count to 0 or lower onlineDepth.grade.']),
  'policy/fee-basis': d('error', ['收费缺少依据', 'Fee without basis'],
    ['收费项目“{item}”没有写收费依据。', 'Fee item "{item}" has no basis.'],
    ['写明依据文件名称和文号；不收费请写 free: true。', 'Cite the document and number; if free, write free: true.']),
  'policy/fee-items': d('error', ['收费信息不完整', 'Fee information incomplete'],
    ['{detail}', '{detail}'],
    ['不收费写 free: true 且不写 items；收费写 free: false 并逐项列出 items。', 'Free: free: true and no items; charged: free: false with items.']),
  'policy/result-sample': d('error', ['办理结果缺少样本', 'Result without sample'],
    ['办理结果“{name}”没有样本。', 'The result "{name}" has no sample.'],
    ['在 result 下写 sample: files/…，放一份去掉个人信息的样本。', 'Add result.sample: files/… with an anonymised sample.']),
  'policy/retired-status': d('error', ['停办信息与状态不一致', 'Retirement without retired status'],
    ['写了 retired 停办信息，但状态是“{status}”。', 'retired is filled in but the status is "{status}".'],
    ['停办请把 status 改为 retired；否则删除 retired。', 'Set status: retired, or remove retired.']),
  'policy/deadline-exceeds-limit': d('error', ['环节时限超过承诺时限', 'Steps exceed the promised limit'],
    ['沿路径 {path} 各环节时限合计 {total} 个工作日，超过承诺时限 {limit} 个工作日。', 'Along {path} the step deadlines add up to {total} work days, over the promised {limit}.'],
    ['缩短环节时限，或调整 guide.timeLimit.promised。', 'Shorten step deadlines or raise guide.timeLimit.promised.']),
  'policy/missing-form-field-data': d('error', ['缺少网上办理所需内容', 'Missing online content'],
    ['{detail}', '{detail}'],
    ['按事项类型补全。', 'Complete it for the service type.']),
  'policy/paper-signature': d('warning', ['网上办理仍要求纸质签字盖章', 'Paper signature on an online service'],
    ['材料“{material}”要求{what}，但事项已网上办理。', 'Material "{material}" needs a {what}, though the service is handled online.'],
    ['取消非必要的签字、盖章（000号文第十条）；确需保留时请在 note 中说明理由。', 'Remove unnecessary signatures and stamps (seed 000 §10).']),
  'policy/review-overdue': d('warning', ['指南超过一年未审核', 'Guide not reviewed for a year'],
    ['指南最近审核于 {reviewed}，已超过 {days} 天。', 'The guide was last reviewed on {reviewed}, {days} days ago.'],
    ['核对内容是否仍然准确，然后更新 guide.reviewed 为今天的日期。', 'Check the guide is still right and update guide.reviewed.']),
  'policy/todo': d('warning', ['有待填写的内容', 'Left as TODO'],
    ['这里仍是待填写的占位内容：“{value}”。', 'This is still a placeholder: "{value}".'],
    ['填写真实内容后再提交上线。', 'Fill it in before going online.']),
  'policy/suspended-alert': d('warning', ['暂停办理缺少提示', 'Suspended without alert'],
    ['事项已暂停办理，但没有 alert 提示说明原因和恢复时间。', 'The service is suspended but has no alert telling users why and until when.'],
    ['添加 alert:，写明原因和预计恢复时间。', 'Add an alert with the reason and expected return.']),
  'policy/same-contact': d('warning', ['咨询与投诉电话相同', 'Same consultation and complaint phone'],
    ['咨询电话和监督投诉电话相同（{phone}）。', 'Consultation and complaint phones are the same ({phone}).'],
    ['投诉应由办理部门以外的监督部门受理，请填写不同的电话。', 'Complaints should go to a supervising office, not the handling desk.']),
  'policy/immediate-limit': d('error', ['即办件时限不为 0', 'Immediate case with a time limit'],
    ['即办件应当场办结，承诺时限应为 0，这里是 {value}。', 'An immediate case is done on the spot; promised should be 0, found {value}.'],
    ['改为 type: promised，或把承诺时限改为 0。', 'Use type: promised, or set promised to 0.']),
  'scenario/invalid-step-action': d('error', ['场景中的操作不被允许', 'Action not allowed'],
    ['环节“{step}”不允许“{action}”操作。', 'Step "{step}" does not allow "{action}".'],
    ['改用该环节 actions 中列出的操作。', 'Use one of the step\'s actions.']),
  'scenario/failed': d('error', ['测试场景未通过', 'Scenario failed'],
    ['场景“{name}”未通过：{detail}', 'Scenario "{name}" failed: {detail}'],
    ['对照预期与实际的路径，改正流程或场景的预期。', 'Compare expected and actual; fix the workflow or the expectation.']),
  'codeowners/stale': d('error', ['CODEOWNERS 已过期', 'CODEOWNERS is stale'],
    ['.github/CODEOWNERS 与部门管理员不一致。', '.github/CODEOWNERS no longer matches the departments\' admins.'],
    ['运行 npx hall codeowners 重新生成并提交。', 'Run npx hall codeowners and commit the result.']),
} satisfies Record<string, DiagnosticDefinition>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

function fill(template: string, args: Diagnostic['args'], lang: Lang): string {
  return template
    .replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (name === 'suggestion' && !(name in args)) {
        const suggest = args.suggest;
        if (suggest === undefined) return '';
        return lang === 'zh' ? `是不是想写“${textOf(suggest, lang)}”？` : `Did you mean "${textOf(suggest, lang)}"?`;
      }
      return name in args ? textOf(args[name], lang) : whole;
    })
    .trim();
}

function textOf(value: Diagnostic['args'][string], lang: Lang): string {
  return typeof value === 'object' ? value[lang] : String(value);
}

export function definitionOf(code: string): DiagnosticDefinition {
  const def = (DIAGNOSTICS as Record<string, DiagnosticDefinition>)[code];
  if (!def) throw new Error(`unregistered diagnostic code ${code}`);
  return def;
}

/** The message and hint of a diagnostic in the reader's language. */
export function renderDiagnostic(diagnostic: Diagnostic, lang: Lang): { title: string; message: string; hint: string } {
  const def = definitionOf(diagnostic.code);
  return {
    title: def.title[lang],
    message: fill(def.message[lang], diagnostic.args, lang),
    hint: fill(def.hint[lang], diagnostic.args, lang),
  };
}
