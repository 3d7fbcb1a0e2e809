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
</TS>