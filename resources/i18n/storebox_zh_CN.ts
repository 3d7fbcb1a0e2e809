<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../ui/cashier/window.py" line="191" />
        <source>Only the owner can open this screen.</source>
        <translation>只有店主可以打开此页面。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="200" />
        <source>Sign in before scanning.</source>
        <translation>请先登录再扫码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="244" />
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="245" />
        <source>Signed in: %1</source>
        <translation>当前用户：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="248" />
        <source>No open shift</source>
        <translation>未开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="257" />
        <source>Shift: %1 since %2</source>
        <translation>当班：%1，%2 开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="260" />
        <source>Sync: no hub configured</source>
        <translation>同步：未连接云端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="262" />
        <source>Waiting to sync: %1</source>
        <translation>待同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="263" />
        <source>Devices: none configured</source>
        <translation>设备：未配置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="266" />
        <source>No Chinese font installed (fonts-noto-cjk): Chinese shows as boxes</source>
        <translation>未安装中文字体（fonts-noto-cjk）：中文将显示为方框</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="270" />
        <source>storebox — till</source>
        <translation>storebox — 收银台</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="271" />
        <source>Lock (F12)</source>
        <translation>锁屏 (F12)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="273" />
        <source>Locked</source>
        <translation>已锁屏</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="275" />
        <source>owner</source>
        <translation>店主</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="275" />
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
</context>
<context>
    <name>OwnerPinDialog</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="122" />
        <source>Owner approval</source>
        <translation>店主授权</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="135" />
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="143" />
        <source>This shop has no owner account.</source>
        <translation>本店没有店主账号。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="40" />
        <location filename="../../ui/cashier/settings_page.py" line="54" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="51" />
        <source>That translation is missing; run ./dev to build it.</source>
        <translation>缺少该语言的翻译文件；请运行 ./dev 生成。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="55" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="66" />
        <source>Sign in: choose your name and enter your PIN</source>
        <translation>登录：选择您的名字并输入 PIN</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="67" />
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="96" />
        <source>Nobody can sign in yet. Create the owner first: storebox users add --role owner --name NAME</source>
        <translation>还没有可登录的用户。请先创建店主：storebox users add --role owner --name 姓名</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="108" />
        <source>Choose your name first.</source>
        <translation>请先选择您的名字。</translation>
    </message>
</context>
<context>
    <name>ops</name>
    <message>
        <location filename="../../ui/ops.py" line="91" />
        <source>Something went wrong inside storebox; it has been logged. Nothing was changed.</source>
        <extracomment>number of operations waiting or running; tests wait for it to reach 0</extracomment>
        <translation>系统内部出错，已记录日志，未做任何更改。</translation>
    </message>
</context>
<context>
    <name>ProductsModel</name>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="130" />
        <source>Name</source>
        <extracomment>Rows fetched per step of the plain list. Hits of one search (the core's limit is 200). a scanned code whose product is shown on its own (rows supplied, nothing is run) the Query whose rows are now in the model (after a reset) more rows were appended to the plain list counts resets, so a page that arrives after the query changed is dropped</extracomment>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="131" />
        <source>Barcode</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="132" />
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="133" />
        <source>Price</source>
        <translation>售价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="134" />
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="135" />
        <source>Reorder</source>
        <translation>补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="166" />
        <source>Not on sale (inactive)</source>
        <translation>已停售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="168" />
        <source>At or below its reorder level</source>
        <translation>库存已到补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="175" />
        <source>%1 (inactive)</source>
        <translation>%1（已停售）</translation>
    </message>
</context>
<context>
    <name>ProductsPage</name>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="463" />
        <location filename="../../ui/cashier/products_page.py" line="466" />
        <source>Products</source>
        <extracomment>what the stock controls do: goods arrived (anyone), a correction ± (owner), a count (owner) the product in the form; None while a new one is being written</extracomment>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="467" />
        <source>Search: barcode, name or pinyin initials (Ctrl+F)</source>
        <translation>搜索：条码、名称或拼音首字母（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="468" />
        <source>All goods</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="469" />
        <source>Low stock</source>
        <translation>库存不足</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="472" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="473" />
        <source>Barcodes</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="474" />
        <source>Shop codes</source>
        <translation>店内码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="475" />
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="476" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="477" />
        <source>Price ¥</source>
        <translation>售价 ¥</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="478" />
        <source>Cost ¥</source>
        <translation>进价 ¥</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="479" />
        <source>Reorder at</source>
        <translation>补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="480" />
        <source>Opening stock</source>
        <translation>初始库存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="481" />
        <source>Mall SKU</source>
        <translation>商城编码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="482" />
        <source>On sale</source>
        <translation>在售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="486" />
        <source>EAN-13 / EAN-8 / UPC-A; scan or type</source>
        <translation>EAN-13 / EAN-8 / UPC-A，扫码或输入</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="487" />
        <source>the shop's own codes; empty: one is made</source>
        <translation>店内自编码；留空则自动生成</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="490" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="491" />
        <source>New product (Ctrl+N)</source>
        <translation>新商品（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="492" />
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="493" />
        <source>Receive goods</source>
        <translation>到货</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="494" />
        <source>Correct</source>
        <translation>调整</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="495" />
        <source>Count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="503" />
        <source>New product</source>
        <translation>新商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="508" />
        <source>In stock: %1 %2 · reorder at %3</source>
        <translation>库存：%1 %2 · 补货线 %3</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="522" />
        <source>Loading …</source>
        <translation>加载中……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="524" />
        <source>Scanned %1</source>
        <translation>扫码 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="527" />
        <source>%1 products at or below their reorder level</source>
        <translation>%1 种商品库存已到补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="529" />
        <source>Nothing is low on stock.</source>
        <translation>没有库存不足的商品。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="533" />
        <source>%1 found for “%2”</source>
        <translation>“%2”：找到 %1 种</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="535" />
        <source>Nothing found for “%1”.</source>
        <translation>没有找到“%1”。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="538" />
        <source>No products yet: add one with New product (Ctrl+N).</source>
        <translation>还没有商品：用“新商品（Ctrl+N）”添加。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="540" />
        <source>The first %1 products by pinyin; scroll for more</source>
        <translation>按拼音排序的前 %1 种商品；向下滚动查看更多</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="544" />
        <source>%1 products</source>
        <translation>%1 种商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="572" />
        <source>All categories</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="665" />
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="666" />
        <source>Drop what you typed into the form?</source>
        <translation>放弃表单里输入的内容？</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="758" />
        <source>The owner's PIN is needed to add a product.</source>
        <translation>添加商品需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="760" />
        <source>The owner's PIN is needed to change a product.</source>
        <translation>修改商品需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="795" />
        <source>Added %1 (barcode %2)</source>
        <translation>已添加 %1（条码 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="800" />
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="828" />
        <source>How many arrived</source>
        <translation>到货数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="829" />
        <source>note: supplier, delivery (optional)</source>
        <translation>备注：供应商、送货（可选）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="830" />
        <source>Receive</source>
        <translation>入库</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="833" />
        <source>How many more (+) or fewer (−) there really are</source>
        <translation>实际多出（+）或短少（−）的数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="834" />
        <source>reason (required): broken, expired …</source>
        <translation>原因（必填）：破损、过期……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="835" />
        <source>Correct (owner)</source>
        <translation>调整（店主）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="838" />
        <source>How many are on the shelf</source>
        <translation>货架上的实际数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="839" />
        <source>reason (required): stock-take …</source>
        <translation>原因（必填）：盘点……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="840" />
        <source>Set count (owner)</source>
        <translation>按盘点设定（店主）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="853" />
        <source>Received %1 of %2</source>
        <translation>%2 到货 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="866" />
        <source>Stock of %2 set to the count: %1</source>
        <translation>%2 库存已按盘点设为 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="868" />
        <source>Stock of %2 corrected by %1</source>
        <translation>%2 库存已调整 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="873" />
        <source>The owner's PIN is needed to correct stock.</source>
        <translation>调整库存需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="911" />
        <source>No product has the code %1. Fill in the rest to add it.</source>
        <translation>没有条码为 %1 的商品。填写其余信息即可添加。</translation>
    </message>
</context>
</TS>